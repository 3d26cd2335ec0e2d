touch -d '2001-02-03 04:05:06' old.txt
touch -d '2010-01-01 00:00:00' dir/n.txt dir
