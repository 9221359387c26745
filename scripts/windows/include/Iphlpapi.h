/* POCO's UnWindows.h includes <Iphlpapi.h>; MinGW-w64 spells it
   <iphlpapi.h>, and Linux file names are case-sensitive. */
#include <iphlpapi.h>
