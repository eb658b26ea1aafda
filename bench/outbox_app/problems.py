from adapters.platform.rest.problems import DomainProblem

PROBLEMS: tuple[DomainProblem, ...] = ()
