"""Tools: the simulated demo county, the simulated province and the blank package template."""
