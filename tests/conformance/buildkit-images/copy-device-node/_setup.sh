mknod null c 1 3
mknod loop-block b 7 200
