ln a b
ln a dir/c
