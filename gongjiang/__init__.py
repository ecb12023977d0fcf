"""Gongjiang (工匠): selection and management of elite skilled workers."""
