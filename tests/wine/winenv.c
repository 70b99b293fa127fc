/* Test helper for running Windows tests under Wine, never shipped.
 *
 * Usage: wine64 winenv.exe PROGRAM [ARGS...]
 *
 * Wine sets %USERPROFILE%, %LOCALAPPDATA%, %HOMEDRIVE%, %HOMEPATH%, %PATH%... from its
 * prefix when a Windows process starts from Unix, whatever the Unix environment says. This
 * launcher starts as that process, then applies WINENV_<NAME>=<value> (sets NAME) and
 * WINENV_UNSET=<NAME>;<NAME>... (removes them), and runs the rest of its command line
 * unchanged, with its standard handles, returning the program's exit code. A Windows child
 * inherits its parent's environment as it is, as on Windows.
 *
 * Built by scripts/wine-test: x86_64-w64-mingw32-gcc -O2 -municode -o winenv.exe winenv.c
 */
#include <windows.h>
#include <wchar.h>

static const wchar_t PREFIX[] = L"WINENV_";
#define PREFIX_LEN (sizeof(PREFIX) / sizeof(wchar_t) - 1)

/* Applies the WINENV_ variables of a copy of the environment block. */
static void apply_environment(void)
{
    wchar_t *block = GetEnvironmentStringsW();
    wchar_t *unset = NULL;
    for (wchar_t *entry = block; *entry; entry += wcslen(entry) + 1) {
        if (wcsncmp(entry, PREFIX, PREFIX_LEN) != 0)
            continue;
        wchar_t *name = entry + PREFIX_LEN;
        wchar_t *eq = wcschr(name, L'=');
        if (!eq || eq == name)
            continue;
        *eq = 0;
        if (wcscmp(name, L"UNSET") == 0)
            unset = eq + 1;
        else
            SetEnvironmentVariableW(name, eq + 1);
        /* The launcher's own variables do not reach the program. */
        *eq = L'=';
        eq = wcschr(entry, L'=');
        *eq = 0;
        SetEnvironmentVariableW(entry, NULL);
        *eq = L'=';
    }
    for (wchar_t *name = unset; name && *name;) {
        wchar_t *end = wcschr(name, L';');
        if (end)
            *end = 0;
        if (*name)
            SetEnvironmentVariableW(name, NULL);
        name = end ? end + 1 : NULL;
    }
    FreeEnvironmentStringsW(block);
}

/* The command line after the launcher's own name (the C runtime's rule for argv[0]). */
static wchar_t *rest_of_command_line(void)
{
    wchar_t *p = GetCommandLineW();
    if (*p == L'"') {
        p++;
        while (*p && *p != L'"')
            p++;
        if (*p)
            p++;
    } else {
        while (*p && *p != L' ' && *p != L'\t')
            p++;
    }
    while (*p == L' ' || *p == L'\t')
        p++;
    return p;
}

int wmain(void)
{
    wchar_t *command = rest_of_command_line();
    if (!*command) {
        fputws(L"usage: winenv PROGRAM [ARGS...]\n", stderr);
        return 2;
    }
    apply_environment();

    STARTUPINFOW si = { .cb = sizeof(si), .dwFlags = STARTF_USESTDHANDLES };
    DWORD which[3] = { STD_INPUT_HANDLE, STD_OUTPUT_HANDLE, STD_ERROR_HANDLE };
    HANDLE *slot[3] = { &si.hStdInput, &si.hStdOutput, &si.hStdError };
    for (int i = 0; i < 3; i++) {
        *slot[i] = GetStdHandle(which[i]);
        SetHandleInformation(*slot[i], HANDLE_FLAG_INHERIT, HANDLE_FLAG_INHERIT);
    }
    PROCESS_INFORMATION pi;
    /* CreateProcessW may write into the command line: give it a copy. */
    wchar_t *copy = _wcsdup(command);
    if (!CreateProcessW(NULL, copy, NULL, NULL, TRUE, 0, NULL, NULL, &si, &pi)) {
        fwprintf(stderr, L"winenv: cannot start %ls: error %lu\n", command, GetLastError());
        return 127;
    }
    CloseHandle(pi.hThread);
    WaitForSingleObject(pi.hProcess, INFINITE);
    DWORD code = 1;
    GetExitCodeProcess(pi.hProcess, &code);
    return (int)code;
}
