# A private ClickHouse server for the benchmarks, on 127.0.0.1 only. Source this file, then:
#   clickhouse_start DIR MARK_CACHE_BYTES [MAX_THREADS]
# It writes DIR/config.xml and DIR/users.xml, starts clickhouse-server in the background (killed
# when the calling script exits), waits until it answers, and leaves `port` (native TCP),
# `server` (its pid) and a `client` function (clickhouse-client on that port) behind.
clickhouse_start() {
  local dir=$1 mark_cache=$2 threads=${3:-}
  mkdir -p "$dir/data" "$dir/tmp" "$dir/user_files" "$dir/format_schemas"
  port=$((20000 + RANDOM % 20000))
  cat >"$dir/config.xml" <<XML
<yandex>
  <logger><level>warning</level><log>$dir/log.txt</log><errorlog>$dir/err.txt</errorlog></logger>
  <listen_host>127.0.0.1</listen_host>
  <tcp_port>$port</tcp_port><http_port>$((port + 1))</http_port>
  <interserver_http_port>$((port + 2))</interserver_http_port>
  <path>$dir/data/</path><tmp_path>$dir/tmp/</tmp_path><user_files_path>$dir/user_files/</user_files_path>
  <format_schema_path>$dir/format_schemas/</format_schema_path>
  <users_config>$dir/users.xml</users_config>
  <default_profile>default</default_profile><default_database>default</default_database>
  <timezone>UTC</timezone>
  <mark_cache_size>$mark_cache</mark_cache_size>
</yandex>
XML
  local profile=""
  [ -n "$threads" ] && profile="<max_threads>$threads</max_threads>"
  cat >"$dir/users.xml" <<XML
<yandex>
  <profiles><default>$profile</default></profiles>
  <users><default><password></password><networks><ip>127.0.0.1</ip></networks>
    <profile>default</profile><quota>default</quota></default></users>
  <quotas><default></default></quotas>
</yandex>
XML
  clickhouse-server --config-file="$dir/config.xml" >"$dir/stdout" 2>&1 &
  server=$!
  trap 'kill $server 2>/dev/null || true' EXIT
  client() { clickhouse-client --host 127.0.0.1 --port "$port" "$@"; }
  for _ in $(seq 1 300); do client --query 'SELECT 1' >/dev/null 2>&1 && break; sleep 0.1; done
}
