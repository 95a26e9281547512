[function fourth]
prototype = int fourth(int x)
