// (placeholder; filled in this change)
int main() { return 0; }
