# symlinks: kept out of git and the release tarball (which dereferences them)
ln -s target.txt link-to-file
ln -s realdir link-to-dir
ln -s does-not-exist dangling
ln -s /etc/passwd absolute
ln -s ../realdir/in.txt realdir/up-and-back
