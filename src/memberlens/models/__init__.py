"""Predictive models over member histories (lifetime value, churn, …), one package each."""
