# Sourced by scripts/test: make sure an MQTT broker can be had for the sensor tests.
# A broker answering on COLONNADE_TEST_MQTT_PORT (default 1883) is used as it is; otherwise
# Debian's mosquitto is installed (as root) and the tests start their own on a spare port.
_mqtt_port="${COLONNADE_TEST_MQTT_PORT:-1883}"
if ! python3 -c "import socket,sys; socket.create_connection(('127.0.0.1', int(sys.argv[1])), 1)" "$_mqtt_port" 2>/dev/null; then
  if ! command -v mosquitto >/dev/null 2>&1 && [ ! -x /usr/sbin/mosquitto ]; then
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
      echo "scripts/test: installing mosquitto (Debian package)" >&2
      apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mosquitto >/dev/null
    else
      echo "scripts/test: no MQTT broker answers and mosquitto is not installed" >&2
      exit 1
    fi
  fi
fi
