#!/usr/bin/with-contenv bashio
# Start frigate-privacy with the add-on's options and the broker the Supervisor hands out (services: mqtt:need).
set -euo pipefail

config=/data/frigate-privacy.yml

# Secrets stay in the environment; the generated YAML only holds {FRIGATE_PRIVACY_...} placeholders.
if bashio::services.available "mqtt"; then
    export FRIGATE_PRIVACY_MQTT_HOST="$(bashio::services mqtt 'host')"
    export FRIGATE_PRIVACY_MQTT_PORT="$(bashio::services mqtt 'port')"
    export FRIGATE_PRIVACY_MQTT_USER="$(bashio::services mqtt 'username')"
    export FRIGATE_PRIVACY_MQTT_PASSWORD="$(bashio::services mqtt 'password')"
else
    bashio::log.warning "No MQTT broker from the Supervisor: Home Assistant entities stay off."
fi
if bashio::config.has_value 'frigate_password'; then
    export FRIGATE_PRIVACY_FRIGATE_PASSWORD="$(bashio::config 'frigate_password')"
fi

umask 077
/opt/frigate-privacy/bin/python -m frigate_privacy.service.homeassistant.addon_options /data/options.json "${config}"
exec /opt/frigate-privacy/bin/frigate-privacy run --config "${config}"
