"""Hyper-parameter search beyond grid and random search (the course notes).

- ``EvolutionarySearchCV``: a cross-validated search whose population of
  parameter sets evolves by selection, crossover and mutation;
- ``PopulationBasedTraining``: a population of warm-started estimators trained
  in rounds, the worst members replaced by perturbed copies (weights included)
  of the best.
"""

from sklearn_adamlp.model_selection._evolutionary import EvolutionarySearchCV
from sklearn_adamlp.model_selection._pbt import PopulationBasedTraining

__all__ = ["EvolutionarySearchCV", "PopulationBasedTraining"]
