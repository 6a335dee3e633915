#!/usr/bin/env bash
# Starts the local MariaDB and Redis when they are installed here but not answering (CI, fresh
# sessions). Services elsewhere (DATABASE_URL/REDIS_URL pointing away) are left alone.
set -uo pipefail

wait_for() { # name, check command
  for _ in $(seq 1 60); do
    if eval "$2" >/dev/null 2>&1; then return 0; fi
    sleep 0.5
  done
  echo "$1 did not come up" >&2
  return 1
}

db_url="${DATABASE_URL:-mysql://root@127.0.0.1:3306/clientele}"
if [[ "$db_url" == *"@127.0.0.1"* || "$db_url" == *"@localhost"* ]]; then
  if ! (exec 3<>/dev/tcp/127.0.0.1/3306) 2>/dev/null; then
    if [ -x /usr/sbin/mariadbd ]; then
      echo "starting MariaDB"
      start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
      wait_for MariaDB "(exec 3<>/dev/tcp/127.0.0.1/3306)" || exit 1
    else
      echo "MySQL/MariaDB is not answering on 127.0.0.1:3306; start it or set DATABASE_URL" >&2
      exit 1
    fi
  fi
fi

redis_url="${REDIS_URL:-redis://127.0.0.1:6379}"
if [[ "$redis_url" == *"127.0.0.1"* || "$redis_url" == *"localhost"* ]]; then
  if ! (exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null; then
    if command -v redis-server >/dev/null; then
      echo "starting Redis"
      redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
      wait_for Redis "(exec 3<>/dev/tcp/127.0.0.1/6379)" || exit 1
    else
      echo "Redis is not answering on 127.0.0.1:6379; start it or set REDIS_URL" >&2
      exit 1
    fi
  fi
fi
