"""Twilio Programmable Messaging (SMS): everything Heard knows about it lives in this folder."""
