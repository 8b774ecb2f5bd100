export { AppLogGroup, type AppLogGroupProps } from "./observability/app-log-group.js";
