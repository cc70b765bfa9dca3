# The reverse proxy: Debian 12's caddy package, the same Caddy that `make production-local`
# and the tests run with deploy/Caddyfile (its request-buffering directive is 2.6's).
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends caddy ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /data /config && chown caddy:caddy /data /config
COPY deploy/Caddyfile /etc/caddy/Caddyfile
# Certificates and Caddy's state live in the /data volume.
ENV XDG_DATA_HOME=/data XDG_CONFIG_HOME=/config
USER caddy
EXPOSE 80 443
CMD ["caddy", "run", "--config", "/etc/caddy/Caddyfile", "--adapter", "caddyfile"]
