/* A small stack-based bytecode interpreter, dispatched by a switch, running
 * a loop written in its own bytecode: the indirect-branch-heavy shape of
 * every interpreter (Tabula and wasmi included). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

enum op { PUSH, LOAD, STORE, ADD, SUB, MUL, MOD, XOR, SHR, LT, JZ, JMP, DUP, POP, HALT };

/* Runs `code` with `locals`; returns the value left on top of the stack. */
static int64_t run(const int32_t *code, int64_t *locals) {
    int64_t stack[64];
    int sp = 0, pc = 0;
    for (;;) {
        switch ((enum op)code[pc++]) {
        case PUSH: stack[sp++] = code[pc++]; break;
        case LOAD: stack[sp++] = locals[code[pc++]]; break;
        case STORE: locals[code[pc++]] = stack[--sp]; break;
        case ADD: sp--; stack[sp - 1] += stack[sp]; break;
        case SUB: sp--; stack[sp - 1] -= stack[sp]; break;
        case MUL: sp--; stack[sp - 1] *= stack[sp]; break;
        case MOD: sp--; stack[sp - 1] %= stack[sp]; break;
        case XOR: sp--; stack[sp - 1] ^= stack[sp]; break;
        case SHR: sp--; stack[sp - 1] >>= stack[sp]; break;
        case LT: sp--; stack[sp - 1] = stack[sp - 1] < stack[sp]; break;
        case JZ: sp--; pc = stack[sp] ? pc + 1 : code[pc]; break;
        case JMP: pc = code[pc]; break;
        case DUP: stack[sp] = stack[sp - 1]; sp++; break;
        case POP: sp--; break;
        case HALT: return sp > 0 ? stack[sp - 1] : 0;
        }
    }
}

int main(int argc, char **argv) {
    int64_t n = argc > 1 ? atoll(argv[1]) : 2400000;
    /* locals: 0 = i, 1 = acc, 2 = n
     *   while (i < n) { acc = (acc * 31 + (i ^ (i >> 3))) % 1000003; i = i + 1; }
     *   return acc; */
    const int32_t code[] = {
        /*  0 */ LOAD, 0, LOAD, 2, LT, JZ, 34,
        /*  7 */ LOAD, 1, PUSH, 31, MUL,
        /* 12 */ LOAD, 0, DUP, PUSH, 3, SHR, XOR, ADD,
        /* 20 */ PUSH, 1000003, MOD, STORE, 1,
        /* 25 */ LOAD, 0, PUSH, 1, ADD, STORE, 0,
        /* 32 */ JMP, 0,
        /* 34 */ LOAD, 1, HALT,
    };
    int64_t locals[3] = {0, 0, n};
    int64_t result = run(code, locals);
    printf("vm loop of %lld iterations: %lld\n", (long long)n, (long long)result);
    return 0;
}
