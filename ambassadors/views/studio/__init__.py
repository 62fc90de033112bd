"""Studio pages for the comms team under /studio/ (comms only: see views.access)."""
