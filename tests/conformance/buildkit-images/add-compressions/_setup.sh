mkdir -p t && echo content > t/file && chmod 0755 t/file
tar --numeric-owner -C t -cf a.tar file
bzip2 -c a.tar > a.tar.bz2
xz -c a.tar > a.tar.xz
gzip -n -c a.tar > a.tgz
echo 'just text' | gzip -n > notatar.gz
echo 'not a tar at all' > fake.tar
rm -rf t a.tar
