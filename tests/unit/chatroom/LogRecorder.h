//
// LogRecorder.h
//
// A Poco channel that keeps what is logged to it (level and text of each
// message), for the chat-room tests that check their component's log.
// Thread-safe: stores log from their own threads.
//

#ifndef WEBCHAT_TEST_LOGRECORDER_INCLUDED
#define WEBCHAT_TEST_LOGRECORDER_INCLUDED

#include "Poco/Channel.h"
#include "Poco/Message.h"

#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace webchat::test {

class LogRecorder: public Poco::Channel
{
public:
	using Line = std::pair<Poco::Message::Priority, std::string>;

	void log(const Poco::Message& message) override
	{
		std::lock_guard<std::mutex> lock(_mutex);
		_lines.emplace_back(message.getPriority(), message.getText());
	}

	std::vector<Line> lines() const
	{
		std::lock_guard<std::mutex> lock(_mutex);
		return _lines;
	}

	/// Every message's text, one per line.
	std::string text() const
	{
		std::lock_guard<std::mutex> lock(_mutex);
		std::string all;
		for (const auto& line : _lines) all += line.second + "\n";
		return all;
	}

private:
	mutable std::mutex _mutex;
	std::vector<Line> _lines;
};

} // namespace webchat::test

#endif
