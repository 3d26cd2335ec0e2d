# modes git cannot keep, and an empty dir
mkdir -p src/empty
chmod 0700 src/empty
chmod 0750 src/sub
chmod 0600 src/sub/s.txt
chmod 0444 src/top.txt
chmod 4755 src/run.sh
