mkdir -p t/d && echo x > t/d/x
tar --numeric-owner --owner=7 --group=9 -C t -cf tree.tar d
rm -rf t
