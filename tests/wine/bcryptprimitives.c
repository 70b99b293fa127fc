/* Test helper for running the Windows build under Wine 8, never shipped.
 *
 * Rust's std (1.78+) imports ProcessPrng from bcryptprimitives.dll, which Wine 8 does not
 * provide, so the .exe does not even load. This DLL, placed next to the .exe, implements
 * ProcessPrng over RtlGenRandom (advapi32's SystemFunction036), Windows' older CSPRNG.
 * Built by scripts/wine-test:
 *   x86_64-w64-mingw32-gcc -shared -O2 -o bcryptprimitives.dll bcryptprimitives.c -ladvapi32
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    while (length > 0) {
        ULONG chunk = length > 0x10000000 ? 0x10000000 : (ULONG)length;
        if (!SystemFunction036(data, chunk))
            return FALSE;
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
