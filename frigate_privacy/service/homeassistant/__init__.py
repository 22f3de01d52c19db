"""Home Assistant: MQTT discovery entities, their commands and the privacy pause."""
