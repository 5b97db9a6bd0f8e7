"""Stress grids, break-even search, rating view and Monte Carlo (local numpy or Dask)."""
