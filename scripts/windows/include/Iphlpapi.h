/* POCO's UnWindows.h includes <Iphlpapi.h>; MinGW-w64 spells it
   <iphlpapi.h>, and Linux file names are case-sensitive.

   MinGW's iphlpapi.h also brings in (through mprapi.h, wincrypt.h) the macro
   TIMESTAMP_REQUEST, and in other include orders netmon.h's ICMP message
   names: POCO's Net/ICMPv4PacketImpl.h has enumerators of those names. None
   of them is used with these headers, so they are undefined here. */
#include <iphlpapi.h>

#undef TIMESTAMP_REQUEST
#undef TIMESTAMP_REPLY
#undef ECHO_REPLY
#undef DESTINATION_UNREACHABLE
#undef SOURCE_QUENCH
#undef REDIRECT
#undef ECHO
#undef TIME_EXCEEDED
#undef PARAMETER_PROBLEM
#undef TIMESTAMP
#undef INFORMATION_REQUEST
#undef INFORMATION_REPLY
