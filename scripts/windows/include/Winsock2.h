/* POCO's UnWindows.h includes <Winsock2.h>; MinGW-w64 spells it
   <winsock2.h>, and Linux file names are case-sensitive. */
#include <winsock2.h>
