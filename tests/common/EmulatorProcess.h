#pragma once

// Starts one of the Python API emulators of tests/emulators/ (google_emulator.py,
// graph_emulator.py) on a free port for the lifetime of the object, and talks to its
// control API (/_emulator/...). See tests/emulators/README.md.

#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Pipe.h>
#include <Poco/PipeStream.h>
#include <Poco/Process.h>
#include <Poco/StreamCopier.h>

#include <chrono>
#include <cstdint>
#include <future>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace creneau::test {

struct EmulatorReply {
  int status = 0;
  std::string body;
};

class EmulatorProcess {
 public:
  // script: a file name under tests/emulators/ ("google_emulator.py") or an absolute path.
  // extraArgs: more command-line options (--client-id ID, --token-lifetime S, --tls-cert F ...).
  explicit EmulatorProcess(const std::string& script, std::vector<std::string> extraArgs = {},
                           std::chrono::milliseconds startTimeout = std::chrono::seconds(20)) {
    std::string path = script.starts_with("/")
                           ? script
                           : std::string(CRENEAU_SOURCE_DIR) + "/tests/emulators/" + script;
    Poco::Process::Args args{path, "--port", "0", "--contracts-dir",
                             std::string(CRENEAU_SHARED_DIR) + "/contracts"};
    for (auto& a : extraArgs) args.push_back(std::move(a));
    handle_ = std::make_unique<Poco::ProcessHandle>(
        Poco::Process::launch("/usr/bin/python3", args, nullptr, &out_, nullptr));

    // Read the "LISTENING <port>" line on a helper thread so a hung start can time out.
    std::packaged_task<std::string()> readLine([this] {
      Poco::PipeInputStream in(out_);
      std::string line;
      std::getline(in, line);
      return line;
    });
    auto line = readLine.get_future();
    std::thread reader(std::move(readLine));
    if (line.wait_for(startTimeout) != std::future_status::ready) {
      stop();  // the child's end of the pipe closes: the reader sees end of file
      reader.join();
      throw std::runtime_error("emulator " + script + " did not print LISTENING in time");
    }
    reader.join();
    std::string first = line.get();
    if (!first.starts_with("LISTENING ")) {
      stop();
      throw std::runtime_error("emulator " + script + " failed to start: '" + first + "'");
    }
    port_ = static_cast<std::uint16_t>(std::stoi(first.substr(10)));
  }

  ~EmulatorProcess() { stop(); }

  EmulatorProcess(const EmulatorProcess&) = delete;
  EmulatorProcess& operator=(const EmulatorProcess&) = delete;

  std::uint16_t port() const { return port_; }
  std::string baseUrl() const { return "http://127.0.0.1:" + std::to_string(port_); }

  EmulatorReply request(const std::string& method, const std::string& path,
                        const std::string& body = {},
                        const std::string& contentType = "application/json",
                        const std::string& bearer = {}) const {
    Poco::Net::HTTPClientSession session("127.0.0.1", port_);
    session.setTimeout(Poco::Timespan(30, 0));
    Poco::Net::HTTPRequest req(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
    if (!bearer.empty()) req.set("Authorization", "Bearer " + bearer);
    if (!body.empty() || method == "POST" || method == "PATCH" || method == "PUT") {
      req.setContentType(contentType);
      req.setContentLength(static_cast<std::streamsize>(body.size()));
    }
    session.sendRequest(req) << body;
    Poco::Net::HTTPResponse resp;
    std::istream& in = session.receiveResponse(resp);
    EmulatorReply reply;
    reply.status = static_cast<int>(resp.getStatus());
    std::ostringstream text;
    Poco::StreamCopier::copyStream(in, text);
    reply.body = text.str();
    return reply;
  }

  EmulatorReply get(const std::string& path) const { return request("GET", path); }
  EmulatorReply post(const std::string& path, const std::string& json) const {
    return request("POST", path, json);
  }

  // Control API shortcuts.
  EmulatorReply reset() const { return post("/_emulator/reset", "{}"); }
  EmulatorReply state() const { return get("/_emulator/state"); }
  EmulatorReply faults(const std::string& rulesJson) const {
    return post("/_emulator/faults", rulesJson);
  }
  EmulatorReply seed(const std::string& json) const { return post("/_emulator/seed", json); }
  // The body of GET /_emulator/violations: {"violations": [...]} (empty list = none).
  EmulatorReply violations() const { return get("/_emulator/violations"); }
  // Number of contract violations recorded since start / reset; -1 if the answer is unreadable.
  // Use: EXPECT_EQ(emulator.violationCount(), 0) << emulator.violations().body;
  int violationCount() const {
    auto reply = violations();
    if (reply.status != 200) return -1;
    try {
      auto root = Poco::JSON::Parser().parse(reply.body).extract<Poco::JSON::Object::Ptr>();
      auto list = root->getArray("violations");
      return list ? static_cast<int>(list->size()) : -1;
    } catch (const Poco::Exception&) {
      return -1;
    }
  }

 private:
  void stop() {
    if (!handle_) return;
    try {
      Poco::Process::kill(*handle_);
    } catch (const Poco::Exception&) {
      // already gone
    }
    try {
      handle_->wait();
    } catch (const Poco::Exception&) {
    }
    handle_.reset();
  }

  Poco::Pipe out_;
  std::unique_ptr<Poco::ProcessHandle> handle_;
  std::uint16_t port_ = 0;
};

}  // namespace creneau::test
