/* Arguments and environment: prints argc, each argv[i] and each environ
 * entry, then checks them against what the test passes:
 * args_env.wasm one "two words" and env GREETING=hello, EMPTY= */
#include <stdlib.h>

#include "check.h"

extern char **environ;

int main(int argc, char **argv) {
    printf("argc=%d\n", argc);
    for (int i = 0; i < argc; i++) printf("argv[%d]=%s\n", i, argv[i]);
    int count = 0;
    for (char **e = environ; *e; e++, count++) printf("env: %s\n", *e);
    check(argc == 3, "three arguments");
    check(argc > 1 && !strcmp(argv[1], "one"), "argv[1] is one");
    check(argc > 2 && !strcmp(argv[2], "two words"), "argv[2] is \"two words\"");
    check(argv[argc] == NULL, "argv ends with NULL");
    const char *greeting = getenv("GREETING");
    check(greeting && !strcmp(greeting, "hello"), "GREETING=hello");
    const char *empty = getenv("EMPTY");
    check(empty && !*empty, "EMPTY is set and empty");
    check(getenv("UNSET") == NULL, "UNSET is not set");
    check(count == 2, "two variables");
    return finish();
}
