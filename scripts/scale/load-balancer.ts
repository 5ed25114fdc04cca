/**
 * The multi-instance run's load balancer: Debian's nginx, as the current user, in the
 * foreground, with its configuration, pid file, logs and buffers in a temp folder:
 *   node --import tsx scripts/scale/load-balancer.ts <port> <name>=<port> [<name>=<port> ...]
 * Round robin over the instances on 127.0.0.1 (the shape docs/scaling.md describes), plus one
 * test-only addition: a request with `x-lb-pin: <name>` goes to that instance, so a test can send
 * a step-up's retry to a different instance than its first attempt, on purpose, not by luck.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import path from "node:path";
import { NGINX_BIN } from "./nginx-bin";


const [port, ...targets] = process.argv.slice(2);
const upstreams = targets.map((t) => /^([a-z0-9-]+)=(\d+)$/.exec(t)).map((m, i) => {
  if (!m) throw new Error(`bad upstream ${targets[i]}: expected <name>=<port>`);
  return { name: m[1]!, port: m[2]! };
});
if (!port || !/^\d+$/.test(port) || upstreams.length === 0) throw new Error("usage: load-balancer.ts <port> <name>=<port> ...");
if (!existsSync(NGINX_BIN)) throw new Error(`nginx not found at ${NGINX_BIN} (apt-get install nginx)`);

const dir = mkdtempSync(path.join(tmpdir(), "woodgrove-nginx-"));
for (const sub of ["body", "proxy", "fastcgi", "uwsgi", "scgi"]) mkdirSync(path.join(dir, sub));

const config = `# Written by scripts/scale/load-balancer.ts for one test run.
${userInfo().uid === 0 ? "user root;\n" : ""}worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;

  # Every instance, round robin. A refused connection moves the request to the next instance
  # (nginx never re-sends a POST that already reached one: proxy_next_upstream's default).
  upstream portal {
${upstreams.map((u) => `    server 127.0.0.1:${u.port} max_fails=1 fail_timeout=2s;`).join("\n")}
    keepalive 32;
  }
${upstreams.map((u) => `  upstream pin_${u.name.replace(/-/g, "_")} { server 127.0.0.1:${u.port}; keepalive 8; }`).join("\n")}
  map $http_x_lb_pin $portal_upstream {
    default portal;
${upstreams.map((u) => `    ${u.name} pin_${u.name.replace(/-/g, "_")};`).join("\n")}
  }

  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://$portal_upstream;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      # The portal's origin is the load balancer's: Host and Origin must agree for server actions.
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      # Auth.js's sign-in answers carry several cookies (state, PKCE, nonce, callback URL) and
      # a nonce CSP: more header than nginx's default 4k/8k buffer, which would answer 502.
      proxy_buffer_size 32k;
      proxy_buffers 8 32k;
      proxy_busy_buffers_size 64k;
      proxy_connect_timeout 2s;
      proxy_read_timeout 60s;
    }
  }
}
`;
const confFile = path.join(dir, "nginx.conf");
writeFileSync(confFile, config);

const nginx = spawn(NGINX_BIN, ["-p", dir, "-c", confFile, "-e", path.join(dir, "error.log"), "-g", "daemon off;"], { stdio: "inherit" });
const cleanUp = () => rmSync(dir, { recursive: true, force: true });
nginx.on("exit", (code, signal) => {
  const log = path.join(dir, "error.log");
  if (code && existsSync(log)) process.stderr.write(readFileSync(log, "utf8"));
  cleanUp();
  process.exit(code ?? (signal ? 0 : 1));
});
for (const signal of ["SIGTERM", "SIGINT"] as const) process.on(signal, () => nginx.kill("SIGQUIT"));
console.log(`[load balancer] nginx on http://localhost:${port} → ${upstreams.map((u) => `${u.name}=127.0.0.1:${u.port}`).join(", ")}`);
