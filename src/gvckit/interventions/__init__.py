"""From analysis to action: constraints, approaches, interventions, audit and results."""
