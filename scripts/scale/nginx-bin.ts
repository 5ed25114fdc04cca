/** Where Debian's nginx package installs the binary (override with NGINX_BIN). */
export const NGINX_BIN = process.env.NGINX_BIN ?? "/usr/sbin/nginx";
