import { provideTestToken } from "./auth.js";

provideTestToken();
