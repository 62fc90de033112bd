"""Crisis communication (issue 17): scenarios, activation, updates, alerts on every channel,
the pause of ordinary content, the public dark site and the closing report.

Modules: ``placeholders`` (pure text filling), ``services`` (every step comms take),
``alerts`` (e-mail per person per update), ``webhooks`` (Slack and Teams), ``site`` (the
cached dark site), ``report`` (what happened, as a page and as CSV).
"""
