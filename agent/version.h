#ifndef GATEHOUSE_AGENT_VERSION_H_
#define GATEHOUSE_AGENT_VERSION_H_

namespace gatehouse {

inline constexpr char kVersion[] = "0.1.0";

}  // namespace gatehouse

#endif  // GATEHOUSE_AGENT_VERSION_H_
