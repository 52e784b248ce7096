// (placeholder; filled in this change)
