"""Static checks of flows and the message catalogue (`heard lint`)."""
