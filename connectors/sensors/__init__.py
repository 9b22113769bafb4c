"""Desk occupancy from MQTT sensors (presence and power draw), as virtual sensors."""
