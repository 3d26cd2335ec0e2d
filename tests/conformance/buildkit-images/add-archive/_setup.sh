# an archive with owners, modes, a hard link, a symlink, an empty dir and old mtimes
mkdir -p t/tree/sub t/tree/empty
echo one > t/tree/one
echo two > t/tree/sub/two
ln t/tree/one t/tree/one-hardlink
ln -s sub/two t/tree/two-symlink
chmod 0640 t/tree/one
chmod 0700 t/tree/sub
touch -d '2005-05-05 05:05:05' t/tree/one t/tree/sub/two t/tree/sub t/tree
tar --numeric-owner --owner=1234 --group=5678 -C t -cf tree.tar tree
gzip -n -c tree.tar > tree.tar.gz
rm -rf t
