"""The one place QuantLib is imported (STYLE.md 13).

``core`` converts our enums and dates to QuantLib objects, keeps evaluation-date changes inside
a context that restores them, and re-raises QuantLib's bare ``RuntimeError`` as our own errors
with deal context. ``schedule`` builds payment schedules; ``bonds`` prices cash-flow streams.
"""
