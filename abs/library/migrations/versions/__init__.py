"""Migration scripts, oldest first: 0001 versions, 0002 runs and exports, 0003 archive log."""
