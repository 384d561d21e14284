#!/bin/sh
# Generates the LiveKit API key and secret once, on first `docker compose --profile livekit up`,
# into the livekit-keys volume, with the server and SIP configs that use them. Nothing secret is
# in the repository; rerunning keeps the existing keys. Delete the volume to rotate them.
set -eu
umask 077
cd /keys
if [ ! -s worker.env ]; then
  key="API$(head -c 9 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  secret="$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  cat > livekit.yaml <<CONF
port: 7880
bind_addresses: ["0.0.0.0"]
rtc:
  tcp_port: 7881
  port_range_start: 50000
  port_range_end: 50100
  use_external_ip: true
redis:
  address: redis:6379
keys:
  ${key}: ${secret}
CONF
  cat > sip.yaml <<CONF
api_key: ${key}
api_secret: ${secret}
ws_url: ws://livekit:7880
redis:
  address: redis:6379
sip_port: 5060
rtp_port: 10000-10100
use_external_ip: true
CONF
  printf 'LIVEKIT_URL=ws://127.0.0.1:7880\nLIVEKIT_API_KEY=%s\nLIVEKIT_API_SECRET=%s\n' "$key" "$secret" > worker.env.tmp
  mv worker.env.tmp worker.env
  echo "livekit-setup: generated a new LiveKit API key ($key); the worker's settings are in /keys/worker.env"
else
  echo "livekit-setup: keeping the existing LiveKit keys"
fi
# the LiveKit and SIP images run as their own users: let them read the configs (the volume is private)
chmod 0644 livekit.yaml sip.yaml
