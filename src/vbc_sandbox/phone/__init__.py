"""The phone system: calls and legs, the two dialects, scripted outcomes, the clock, call
timelines, devices, pages of a list, tokens and quotas, and the state that holds them.
Knows nothing of HTTP; uses only storage and the foundations."""
