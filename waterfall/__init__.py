"""The vectorised waterfall engine: ``waterfall.run(deal, collections)``.

Arrays are shaped (scenarios, periods); Python loops run over periods and steps only.
"""
