"""Programme mail: messages in the reader's language (``messages.py``), sending a batch over
one connection with deliveries claimed before and recorded after (``delivery.py``, the one
claim → send → record skeleton), the weekly digest (``digests/``), urgent alerts
(``alerts.py``), one-click unsubscribe (``unsubscribe.py``) and hard bounces
(``bounces.py``)."""
