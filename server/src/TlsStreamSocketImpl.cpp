#include "TlsStreamSocketImpl.h"

#include "Poco/Exception.h"
#include "Poco/Error.h"
#include "Poco/Net/NetException.h"
#include "Poco/Net/SSLException.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <cerrno>

namespace webchat {

namespace {

std::string openSslError(int sslError)
{
	const unsigned long code = ERR_get_error();
	ERR_clear_error();
	if (code == 0) return "TLS error " + std::to_string(sslError);
	char buffer[256];
	ERR_error_string_n(code, buffer, sizeof(buffer));
	return buffer;
}

} // namespace

TlsStreamSocketImpl::TlsStreamSocketImpl(HttpGate::Admitted&& admitted, std::shared_ptr<HttpGate> gate):
	// The base takes the descriptor and moves the head out; ssl stays.
	GatedStreamSocketImpl(std::move(admitted), std::move(gate)),
	_ssl(admitted.ssl)
{
}

TlsStreamSocketImpl::~TlsStreamSocketImpl()
{
	try
	{
		close();
	}
	catch (...)
	{
	}
	if (_ssl) SSL_free(_ssl);
}

bool TlsStreamSocketImpl::retryOrEnd(int rc, const char* operation)
{
	const int savedErrno = errno;
	const int error = SSL_get_error(_ssl, rc);
	switch (error)
	{
	case SSL_ERROR_ZERO_RETURN:
		return false;
	case SSL_ERROR_WANT_READ:
	case SSL_ERROR_WANT_WRITE:
		// The socket is blocking with the listener's timeout: waiting ran out.
		if (savedErrno == EINTR) return true;
		_broken = true;
		throw Poco::TimeoutException(operation);
	case SSL_ERROR_SYSCALL:
		if (savedErrno == EINTR) return true;
		_broken = true;
		ERR_clear_error();
		if (savedErrno == 0) return false; // end of stream without close_notify
		if (savedErrno == ECONNRESET || savedErrno == EPIPE) throw Poco::Net::ConnectionResetException(operation);
		throw Poco::IOException(operation, Poco::Error::getMessage(savedErrno), savedErrno);
	default:
		_broken = true;
		throw Poco::Net::SSLException(operation, openSslError(error));
	}
}

int TlsStreamSocketImpl::sendBytes(const void* buffer, int length, int)
{
	if (!_ssl) throw Poco::InvalidAccessException("TLS session handed over");
	const char* data = static_cast<const char*>(buffer);
	int sent = 0;
	// Blocking writes without SSL_MODE_ENABLE_PARTIAL_WRITE are all or
	// nothing; the loop covers interruptions.
	while (sent < length)
	{
		ERR_clear_error();
		const int rc = SSL_write(_ssl, data + sent, length - sent);
		if (rc > 0)
		{
			sent += rc;
			continue;
		}
		if (!retryOrEnd(rc, "TLS write")) throw Poco::Net::ConnectionResetException("TLS write after close_notify");
	}
	return sent;
}

int TlsStreamSocketImpl::readConnection(void* buffer, int length)
{
	if (!_ssl) throw Poco::InvalidAccessException("TLS session handed over");
	for (;;)
	{
		ERR_clear_error();
		const int rc = SSL_read(_ssl, buffer, length);
		if (rc > 0) return rc;
		if (!retryOrEnd(rc, "TLS read")) return 0;
	}
}

int TlsStreamSocketImpl::sendBytes(const Poco::Net::SocketBufVec&, int)
{
	throw Poco::NotImplementedException("scatter/gather on a TLS socket");
}

int TlsStreamSocketImpl::connectionAvailable()
{
	return _ssl ? SSL_pending(_ssl) : 0;
}

void TlsStreamSocketImpl::close()
{
	if (_ssl && !_broken && sockfd() != POCO_INVALID_SOCKET)
	{
		// One close_notify, not waiting for the peer's (as browsers expect).
		ERR_clear_error();
		SSL_shutdown(_ssl);
		ERR_clear_error();
		_broken = true;
	}
	GatedStreamSocketImpl::close();
}

ssl_st* TlsStreamSocketImpl::releaseSession()
{
	ssl_st* ssl = _ssl;
	_ssl = nullptr;
	return ssl;
}

ssl_st* TlsStreamSocketImpl::releaseTls(poco_socket_t& fd)
{
	fd = sockfd();
	// The descriptor is the caller's now: this socket must not close it.
	reset(POCO_INVALID_SOCKET);
	return releaseSession();
}

} // namespace webchat
