"""The Didomi core: lifecycle rules as plain functions on plain values, no `pulumi` import.

The resource hostings (`pulumi_didomi.resources`) are thin shells over it.
"""
