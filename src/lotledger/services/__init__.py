"""Use cases: the one door to the ledger for every interface (API, command line, web pages).

Interfaces parse their input, call a service with the `Caller` who asks, and
render the answer; services check who may do what, call the domain's rules
and the storage ports (`lotledger.ports`), and never know which database is
behind them. `bootstrap` wires them.
"""
