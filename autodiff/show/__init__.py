"""Showing a graph: drawings (Graphviz) and chain-rule ledgers.

``scene`` turns a graph into plain data (nodes, edges, numbers, clusters) and ``render``
hands it to Graphviz; ``clusters`` groups parameters and collapses what is too big to draw;
``notation`` writes names, numbers and ∂ symbols for both; ``explain`` takes one partial
derivative apart into its chain-rule paths. Only ``render`` imports graphviz.
"""
