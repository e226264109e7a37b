"""Network analysis of the graph: the only stage that runs NetworkX.

The projection of the RDF graph onto a network of entities (network.py), centrality
and its reasons, communities, the scorecard, what changed, data health, and the
report writers. The explorer sizes its nodes with the centrality computed here.
"""
