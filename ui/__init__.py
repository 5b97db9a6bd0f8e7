"""User interfaces: the ``dabs`` command line (``ui.cli``) and the Streamlit dashboard (``ui.app``).

Pages and commands read inputs, call the engine and render; they do no maths.
"""
